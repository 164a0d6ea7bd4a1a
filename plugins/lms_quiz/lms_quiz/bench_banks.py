"""Question banks of the benchmark site (lms_quiz/bench.py), in GIFT as an educator would
import them, in Thai and in English."""

# The banks, in GIFT as an educator would import them (gift.parse stores the same rows).
BANK_TH = r"""
::ล้างมือ::
ควรล้างมือด้วยสบู่นานอย่างน้อยเท่าใดจึงจะลดเชื้อโรคได้ดี
{
    =20 วินาที
    ~3 วินาที#สั้นเกินไป
    ~5 วินาที
    ~ไม่ต้องใช้สบู่ก็ได้
}

::สายด่วน 1669::
หมายเลขสายด่วนแจ้งเหตุฉุกเฉินทางการแพทย์ในประเทศไทยคือข้อใด
{
    =1669
    ~191
    ~199
    ~1111
    ####สายด่วน 1669 โทรฟรีทุกเครือข่าย ตลอด 24 ชั่วโมง
}

::รหัสผ่าน::
ข้อใดเป็นรหัสผ่านที่ปลอดภัยที่สุด
{
    =ประโยคยาวที่ผสมตัวอักษร ตัวเลข และสัญลักษณ์
    ~วันเกิดของตนเอง
    ~123456
    ~ชื่อเล่นของลูกหลาน
}

::ข้อความหลอกลวง::
ได้รับ SMS แจ้งว่าถูกรางวัล พร้อมลิงก์ให้กรอกเลขบัญชีธนาคาร ควรทำอย่างไร
{
    =ไม่กดลิงก์ และลบข้อความทิ้ง
    ~กรอกข้อมูลทันทีก่อนหมดเวลา
    ~ส่งต่อให้เพื่อนในกลุ่มไลน์
    ~โทรกลับไปที่เบอร์ในข้อความ
}

::บัญชีครัวเรือน::
การทำบัญชีครัวเรือนช่วยในเรื่องใดมากที่สุด
{
    =รู้รายรับรายจ่าย และวางแผนการออมได้
    ~ทำให้ได้เงินเดือนเพิ่มขึ้น
    ~ไม่ต้องเสียภาษี
    ~กู้เงินจากธนาคารได้ง่ายขึ้น
}

::ปุ๋ยหมัก::
ปุ๋ยหมักในเกษตรอินทรีย์ทำจากวัสดุใด
{
    =เศษพืชและมูลสัตว์
    ~ถุงพลาสติก
    ~ขวดแก้ว
    ~กล่องโฟม
}

::ผู้หมดสติ::
พบผู้หมดสติและไม่หายใจ ควรทำสิ่งใดก่อน
{
    =โทร 1669 แล้วเริ่มกดหน้าอก
    ~ให้ดื่มน้ำทันที
    ~พยุงให้ลุกเดิน
    ~รอให้ฟื้นเอง
}

::แม่แจ่ม::
อำเภอแม่แจ่ม จังหวัดเชียงใหม่ มีชื่อเสียงด้านงานหัตถกรรมใด
{
    =ผ้าซิ่นตีนจก
    ~ร่มบ่อสร้าง
    ~เครื่องเงินวัวลาย
    ~เครื่องปั้นดินเผา
}

::ซึง::
เครื่องดนตรีล้านนาชนิดใดเล่นโดยการดีด
{
    =ซึง
    ~สะล้อ
    ~ขลุ่ย
    ~กลองสะบัดชัย
}

::ร้อยละ::
ร้อยละ 25 ของ 200 บาท เท่ากับเท่าใด
{
    =50 บาท
    ~25 บาท
    ~75 บาท
    ~100 บาท
}

::Thank you::
คำว่า Thank you แปลว่าอะไร
{
    =ขอบคุณ
    ~ขอโทษ
    ~สวัสดี
    ~ลาก่อน
}

::แบตเตอรี่::
ข้อใดช่วยประหยัดแบตเตอรี่ของสมาร์ตโฟน
{
    =ลดความสว่างของหน้าจอ
    ~เปิดบลูทูธไว้ตลอดเวลา
    ~เปิดทุกแอปค้างไว้
    ~เพิ่มความสว่างให้สูงสุด
}

::ท่องเที่ยวชุมชน::
ข้อใดเป็นหัวใจของการท่องเที่ยวโดยชุมชน
{
    =ชุมชนเป็นเจ้าของและได้รับประโยชน์ร่วมกัน
    ~นักท่องเที่ยวจำนวนมากที่สุด
    ~โรงแรมขนาดใหญ่
    ~ราคาถูกที่สุด
}

::ลมแดด::
ข้อใดเป็นอาการของโรคลมแดด (เลือกได้มากกว่าหนึ่งข้อ)
{
    ~%50%ตัวร้อนจัด ผิวแห้ง
    ~%50%สับสน หรือหมดสติ
    ~%-50%หนาวสั่น
    ~%-50%ไอมีเสมหะ
}

::ข้อมูลส่วนบุคคล::
ข้อมูลใดเป็นข้อมูลส่วนบุคคลที่ไม่ควรโพสต์ในที่สาธารณะ (เลือกได้มากกว่าหนึ่งข้อ)
{
    ~%50%เลขบัตรประชาชน
    ~%50%รหัส OTP จากธนาคาร
    ~%-100%ชื่อร้านอาหารที่ชอบ
}

::รหัสผ่านเดียว::
ควรใช้รหัสผ่านเดียวกันกับทุกบัญชีเพื่อให้จำง่าย
{F#การใช้รหัสซ้ำทำให้ถูกเจาะได้ทุกบัญชีพร้อมกัน#ถูกต้อง}

::ล้างผัก::
การล้างผักด้วยน้ำไหลหลายครั้งช่วยลดสารพิษตกค้างได้
{T}

::เริ่มออม::
ควรเริ่มออมเงินเมื่อมีรายได้มากแล้วเท่านั้น
{F}

::ออกกำลังกาย::
ผู้สูงอายุควรออกกำลังกายสม่ำเสมอ ตามความเหมาะสมของร่างกาย
{T}

::ข่าวปลอม::
ข่าวที่มีคนแชร์จำนวนมากเป็นข่าวจริงเสมอ
{F#ควรตรวจสอบจากแหล่งข่าวที่เชื่อถือได้ก่อนแชร์}

::เมืองหลวง::
เมืองหลวงของประเทศไทยชื่ออะไร
{
    =กรุงเทพมหานคร
    =กรุงเทพฯ
    =กรุงเทพ
}

::สูตรคูณ::
7 คูณ 8 เท่ากับเท่าใด (ตอบเป็นตัวเลข)
{
    =56
}

::water::
คำว่า น้ำ ในภาษาอังกฤษเขียนว่าอย่างไร
{
    =water
}
"""

BANK_EN = r"""
::Washing hands::
How long should you wash your hands with soap to remove most germs?
{
    =20 seconds
    ~3 seconds#Too short.
    ~5 seconds
    ~Soap is not needed
}

::Emergency number::
Which number calls an ambulance in Thailand?
{
    =1669
    ~191
    ~199
    ~1111
    ####1669 is free from every network, day and night.
}

::Passwords::
Which is the safest password?
{
    =A long sentence with letters, digits and symbols
    ~Your birthday
    ~123456
    ~Your grandchild's nickname
}

::Scam SMS::
An SMS says you won a prize and asks for your bank account through a link. What do you do?
{
    =Do not open the link and delete the message
    ~Fill in the form before it expires
    ~Forward it to your LINE group
    ~Call the number in the message
}

::Household accounts::
What do household accounts help with most?
{
    =Knowing income and spending, and planning savings
    ~Getting a higher salary
    ~Not paying tax
    ~Borrowing from the bank more easily
}

::Compost::
What is compost for organic farming made of?
{
    =Plant waste and manure
    ~Plastic bags
    ~Glass bottles
    ~Foam boxes
}

::Unconscious person::
Someone is unconscious and not breathing. What comes first?
{
    =Call 1669 and start chest compressions
    ~Give them water
    ~Help them walk
    ~Wait until they wake up
}

::Mae Chaem::
Which handicraft is Mae Chaem district, Chiang Mai, known for?
{
    =Teen jok woven skirts
    ~Bo Sang umbrellas
    ~Wua Lai silverware
    ~Pottery
}

::Sueng::
Which Lanna instrument is played by plucking its strings?
{
    =Sueng
    ~Salo
    ~Khlui
    ~Sabatchai drum
}

::Percent::
What is 25 percent of 200 baht?
{
    =50 baht
    ~25 baht
    ~75 baht
    ~100 baht
}

::Sawasdee::
What does the Thai word sawasdee mean?
{
    =Hello
    ~Thank you
    ~Sorry
    ~Delicious
}

::Battery::
Which saves a smartphone's battery?
{
    =Lowering the screen brightness
    ~Keeping Bluetooth on all the time
    ~Leaving every app open
    ~Maximum brightness
}

::Community tourism::
What is at the heart of community-based tourism?
{
    =The community owns it and shares the benefits
    ~As many tourists as possible
    ~Large hotels
    ~The lowest price
}

::Heatstroke::
Which are signs of heatstroke? (Choose all that apply.)
{
    ~%50%Very high body temperature, dry skin
    ~%50%Confusion or fainting
    ~%-50%Shivering
    ~%-50%A wet cough
}

::Personal data::
Which should never be posted publicly? (Choose all that apply.)
{
    ~%50%Your ID card number
    ~%50%A one-time password from your bank
    ~%-100%Your favourite restaurant
}

::One password::
Using the same password for every account is a good idea because it is easy to remember.
{F#One leaked password then opens every account.#Right.}

::Washing vegetables::
Rinsing vegetables several times under running water reduces pesticide residue.
{T}

::Saving::
You should start saving only once you earn a lot.
{F}

::Exercise::
Older adults should exercise regularly, as far as their body allows.
{T}

::Fake news::
A story shared by many people is always true.
{F#Check a reliable source before you share.}

::Capital::
What is the capital of Thailand?
{
    =Bangkok
    =Krung Thep
}

::Times table::
What is 7 times 8? (Answer with a number.)
{
    =56
}

::Nam::
What is the English word for the Thai word nam?
{
    =water
}
"""

BANKS = {"th": BANK_TH, "en": BANK_EN}
