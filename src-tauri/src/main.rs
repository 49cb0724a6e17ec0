fn main() {
    dosedesk_lib::run()
}
